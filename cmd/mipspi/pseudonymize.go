package main

// pseudonymize.go: --pseudonymize (issue 13). It was called --deidentify, which promises
// HIPAA de-identification; what it does is pseudonymisation: patient names and MRNs
// become keyed hashes and birth dates are dropped, while ids and dates stay so that a
// row can still be acted on. The old names are refused with a pointer to the new ones
// (not kept as aliases: a script relying on them should learn what it really gets).

import (
	"os"

	"github.com/urfave/cli/v2"
)

const (
	flagPseudonymize    = "pseudonymize"
	flagPseudonymizeKey = "pseudonymize-key"
	envPseudonymizeKey  = "MIPSPI_PSEUDONYMIZE_KEY"
	envDeidentifyKey    = "MIPSPI_DEIDENTIFY_KEY" // the old name, no longer read
)

// pseudonymizeHelp says exactly what changes and what stays.
const pseudonymizeHelp = "pseudonymize patients: names and MRNs become keyed hashes (anon-…), birth dates are dropped, " +
	"an invalid email and a possible duplicate's name are hashed; patient and appointment ids, visit, deadline and event dates, " +
	"clinicians, NPIs, TINs and every figure stay. Not HIPAA de-identification: the ids and dates remain"

func pseudonymizeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: flagPseudonymize, Usage: pseudonymizeHelp},
		&cli.StringFlag{Name: flagPseudonymizeKey, EnvVars: []string{envPseudonymizeKey}, Usage: "secret `KEY` for --pseudonymize, at least 16 characters (never stored)"},
		// The old names, hidden, so that using them gets a message instead of "unknown flag".
		&cli.BoolFlag{Name: "deidentify", Hidden: true},
		&cli.StringFlag{Name: "deidentify-key", Hidden: true},
	}
}

// pseudonymizeKey reads --pseudonymize and its key; nil means identified output.
func pseudonymizeKey(c *cli.Context) ([]byte, error) {
	if c.IsSet("deidentify") || c.IsSet("deidentify-key") {
		return nil, usagef("--deidentify is now --pseudonymize (and --deidentify-key --pseudonymize-key): " +
			"names and MRNs are replaced by keyed hashes, ids and dates stay, so it is not HIPAA de-identification")
	}
	k := c.String(flagPseudonymizeKey)
	if !c.Bool(flagPseudonymize) {
		// A key typed on the command line without the flag means the user expected
		// pseudonymized output and would get names: refuse (row 9). A key that only
		// comes from the environment is not a request.
		if k != "" && k != os.Getenv(envPseudonymizeKey) {
			return nil, usagef("--pseudonymize-key is given without --pseudonymize: the output would carry patient names; add --pseudonymize")
		}
		return nil, nil
	}
	if k == "" {
		msg := "--pseudonymize needs a key: --pseudonymize-key KEY or $" + envPseudonymizeKey
		if os.Getenv(envDeidentifyKey) != "" {
			msg += " ($" + envDeidentifyKey + " is no longer read)"
		}
		return nil, usagef("%s", msg)
	}
	if len(k) < 16 {
		return nil, usagef("--pseudonymize-key is too short: use at least 16 characters so the hashes cannot be guessed")
	}
	for _, ex := range documentedKeys {
		if k == ex {
			return nil, usagef("--pseudonymize-key is an example printed in mipspi's README: anyone can recompute its pseudonyms, and the key id in the report shows it was used; make a key of your own (openssl rand -base64 32) and share it privately")
		}
	}
	return []byte(k), nil
}

// documentedKeys are pseudonymisation keys the README once printed as examples; the
// documentation now shows how to make a key instead of one.
var documentedKeys = []string{"one secret shared by every site"} // the other, "one long secret", is too short anyway
