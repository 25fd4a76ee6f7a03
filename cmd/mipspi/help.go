package main

// `mipspi version`, the version a build reports without
// -ldflags (SPEC §4), and the --help text's defaults (issue 17).

import (
	"fmt"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
)

func init() {
	if version == "dev" {
		if v := buildVersion(debug.ReadBuildInfo()); v != "" {
			version = v
		}
	}
	builtin := cli.FlagStringer
	cli.FlagStringer = func(f cli.Flag) string { return stripDoubledDefault(builtin(f)) }
}

// pseudoVersion is the commit part of a pseudo-version, the module version the go
// command (1.24 on) stamps into a build from a commit no release tag names
// (v0.0.0-20261208012345-f9b8053a1b2c, v1.4.1-0.20261208012345-f9b8053a1b2c+dirty).
var pseudoVersion = regexp.MustCompile(`(^|[.-])\d{14}-([0-9a-f]{12})(\+dirty)?$`)

// buildVersion is what a build without -ldflags can say about itself: the module
// version of a `go install module@v1.4.0` build (a release tag), else the VCS revision a
// `go build` inside the repository stamps (12 hex digits, "-dirty" with uncommitted
// changes) as dev+REVISION, or the commit of a pseudo-version (`go install
// module@COMMIT`); "" when none is known (test binaries, builds with -buildvcs=false).
func buildVersion(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return ""
	}
	v := bi.Main.Version
	if v != "" && v != "(devel)" && !pseudoVersion.MatchString(v) {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		if m := pseudoVersion.FindStringSubmatch(v); m != nil {
			return "dev+" + m[2]
		}
		return ""
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		rev += "-dirty"
	}
	return "dev+" + rev
}

func versionCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "version",
		Usage:     "print the mipspi version (also written in every report)",
		UsageText: "mipspi version",
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			_, err := fmt.Fprintf(s.stdout, "mipspi %s\n", version)
			return err
		},
	}
}

var (
	trailingDefault = regexp.MustCompile(` \(default: [^()]*\)`)
	falseDefault    = regexp.MustCompile(` \(default: false\)`)
	wordDefault     = regexp.MustCompile(`(?i)\bdefault\b`)
)

// stripDoubledDefault is cli's flag line without the doubled default ("…; default: no
// limit) (default: 0s)") and without "(default: false)" on switches.
func stripDoubledDefault(s string) string {
	s = falseDefault.ReplaceAllString(s, "")
	locs := trailingDefault.FindAllStringIndex(s, -1)
	if len(locs) == 0 {
		return s
	}
	last := locs[len(locs)-1]
	before := s[:last[0]]
	if wordDefault.MatchString(before) {
		return before + s[last[1]:]
	}
	return s
}

// helpTopicUsage turns cli's "No help topic for 'x'" (`mipspi help x`) into the usage
// error it is (exit 2).
// helpPath turns `mipspi help db init` into `mipspi db init --help`: cli's help
// command reads only its first argument, so it showed `db`'s help for any subcommand.
// One topic (`mipspi help db`) and anything with a flag are left to cli.
func helpPath(args []string) []string {
	if len(args) < 4 || args[1] != "help" {
		return args
	}
	for _, a := range args[2:] {
		if strings.HasPrefix(a, "-") {
			return args
		}
	}
	out := append([]string{args[0]}, args[2:]...)
	return append(out, "--help")
}

func helpTopicUsage(err error) error {
	if name, ok := strings.CutPrefix(err.Error(), "No help topic for "); ok {
		return usagef("help: unknown command %s (mipspi help lists them)", name)
	}
	return err
}
