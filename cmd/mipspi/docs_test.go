package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/reports/registry"
)

// fencedBlocks returns the bodies of the ```lang blocks of a Markdown text, in order.
func fencedBlocks(text, lang string) []string {
	var out []string
	for _, m := range regexp.MustCompile("(?s)```"+lang+"\n(.*?)```").FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestDocumentedExamplesAreRefused (SPEC §4): every CEHRT ID and every count that a
// configuration example in README.md, docs/ or the demo's sample configuration shows is
// one export knows as an example, so a clerk who copies one is stopped.
func TestDocumentedExamplesAreRefused(t *testing.T) {
	texts := map[string]string{"demoConfig": demoConfig}
	docs, _ := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	for _, p := range append(docs, filepath.Join("..", "..", "README.md")) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i, block := range fencedBlocks(string(b), "yaml") {
			if strings.Contains(block, "registry:") {
				texts[p+" block "+itoa(i+1)] = block
			}
		}
	}
	if len(texts) < 3 {
		t.Fatalf("found %d configuration examples, want the README's, docs/registry.md's and the demo's", len(texts))
	}
	for where, text := range texts {
		fc, err := parseConfig(where, []byte(text))
		if err != nil {
			t.Errorf("%s: %v", where, err)
			continue
		}
		c := fc.Registry.Config
		ids := []string{c.CEHRTID}
		counts := map[string]registry.Answer{}
		add := func(path string, ms map[string]registry.Answer) {
			for id, a := range ms {
				if a.IsRatio() {
					counts[path+"."+id] = a
				}
			}
		}
		add("registry.measures", c.Measures)
		for tin, tc := range c.TINs {
			ids = append(ids, tc.CEHRTID)
			add("registry.tins."+tin+".measures", tc.Measures)
			for npi, n := range tc.NPIs {
				add("registry.tins."+tin+".npis."+npi+".measures", n.Measures)
			}
		}
		for _, id := range ids {
			if id != "" && !registry.IsExampleCEHRTID(id) {
				t.Errorf("%s: CEHRT ID %s is not in registry.ExampleCEHRTIDs", where, id)
			}
		}
		for path, a := range counts {
			if !registry.IsExampleCount(path[strings.LastIndex(path, ".")+1:], a) {
				t.Errorf("%s: %s %s is not a known example count", where, path, a)
			}
		}
	}
}

// TestDocsRegistryExample holds docs/registry.md to what the commands it shows write:
// its configuration, run on the demo, gives its keying sheet and its manifest (all but
// the generation time and the version).
func TestDocsRegistryExample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "registry.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	yamls, texts, jsons := fencedBlocks(doc, "yaml"), fencedBlocks(doc, "text"), fencedBlocks(doc, "json")
	if len(yamls) != 1 || len(jsons) != 1 || len(texts) < 2 {
		t.Fatalf("docs/registry.md: %d yaml, %d text, %d json blocks", len(yamls), len(texts), len(jsons))
	}
	dsn, _ := demoDB(t)
	writeFile(t, "registry.yaml", yamls[0])
	period := []string{"--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2026-01-15T12:00:00Z"}

	o := mipspi(t, args([]string{"export", "--to", "csv", "--db", dsn}, period, []string{"--config", "registry.yaml", "--tin", "742345678", "--out", "keying", "--force", "-q"})...)
	if o.code != exitWarned {
		t.Fatalf("keying sheet: exit %d\n%s", o.code, o.stderr)
	}
	got, _ := os.ReadFile(filepath.Join("keying", "registry.csv"))
	if want := texts[len(texts)-1]; string(got) != want {
		t.Errorf("docs/registry.md's keying sheet differs from what export writes:\n%s", cmp.Diff(want, string(got)))
	}

	o = mipspi(t, args([]string{"export", "--to", "qpp", "--db", dsn}, period, []string{"--config", "registry.yaml", "--tin", "742345678", "--npi", "1088264514", "--out", "registry", "--force", "-q"})...)
	if o.code != exitWarned {
		t.Fatalf("manifest: exit %d\n%s", o.code, o.stderr)
	}
	got, _ = os.ReadFile(filepath.Join("registry", manifestName))
	var want, have map[string]any
	if err := json.Unmarshal([]byte(jsons[0]), &want); err != nil {
		t.Fatalf("docs/registry.md's manifest: %v", err)
	}
	if err := json.Unmarshal(got, &have); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"generated", "version"} {
		delete(want, k)
		delete(have, k)
	}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("docs/registry.md's manifest differs from what export writes (-doc +written):\n%s", diff)
	}
}
