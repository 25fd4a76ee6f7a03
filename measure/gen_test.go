package measure

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// genPractice deterministically generates a realistic practice for the benchmark:
// 2 TINs, 3 offices in 3 zones, 20 clinicians (one not eligible), ~3 visits per
// patient, about 80% of visits seen and about 70% of seen visits timely.
func genPractice(seed uint64, patients int) (Config, Practice, []PatientRecord) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	ny, _ := time.LoadLocation("America/New_York")
	chi, _ := time.LoadLocation("America/Chicago")
	la, _ := time.LoadLocation("America/Los_Angeles")
	p := Practice{
		Offices: []Office{
			{ID: 1, TIN: "123456789", Name: "Main", Zone: ny},
			{ID: 2, TIN: "123456789", Name: "Lakeside", Zone: chi},
			{ID: 3, TIN: "987654321", Name: "West", Zone: la},
		},
		APIWindows: []APIWindow{
			{ID: 1, TIN: "123456789", Enabled: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
			{ID: 2, TIN: "987654321", Enabled: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)},
		},
	}
	for i := 0; i < 20; i++ {
		stem := "1" + string(rune('0'+i/10)) + string(rune('0'+i%10)) + "456789"
		p.Clinicians = append(p.Clinicians, Clinician{ID: int64(100 + i), NPI: stem + string(NPICheckDigit(stem)),
			FirstName: "Doc", LastName: "Tor", Eligible: i != 19})
	}
	cfg := Config{
		Start: calendar.MustParseDate("2025-01-01"), End: calendar.MustParseDate("2025-12-31"),
		AsOf:            time.Date(2026, 1, 20, 12, 0, 0, 0, time.UTC),
		FederalHolidays: true,
	}
	statuses := []string{"Complete", "Arrived", "Checked In", "In Room", "Cancelled", "No Show"}
	start := time.Date(2025, 1, 1, 14, 0, 0, 0, time.UTC)
	recs := make([]PatientRecord, patients)
	var apptID int64
	for i := range recs {
		r := &recs[i]
		r.Patient = Patient{ID: int64(i + 1), MRN: "MRN" + strconv.Itoa(i+1),
			FirstName: firstNames[rng.IntN(len(firstNames))], LastName: lastNames[rng.IntN(len(lastNames))],
			BirthDate: calendar.NewDate(1950+rng.IntN(60), time.Month(1+rng.IntN(12)), 1+rng.IntN(28)), HasBirthDate: true,
			Email: "pat@example.com"}
		switch x := rng.IntN(100); {
		case x < 93:
			r.FirstInvitation = &Invitation{ID: int64(i), SentAt: start.Add(-time.Duration(rng.IntN(3*365*24)) * time.Hour), Recipient: "patient", Channel: "email"}
		case x < 97:
			r.FirstInvitation = &Invitation{ID: int64(i), SentAt: start.Add(time.Duration(rng.IntN(360*24)) * time.Hour), Recipient: "representative", Channel: "printed"}
		}
		n := 1 + rng.IntN(5) // 1..5, mean 3
		off := &p.Offices[rng.IntN(3)]
		clin := int64(100 + rng.IntN(20))
		for j := 0; j < n; j++ {
			apptID++
			at := start.Add(time.Duration(rng.IntN(364*24*60)) * time.Minute)
			st := statuses[rng.IntN(4)]
			if rng.IntN(100) < 20 {
				st = statuses[4+rng.IntN(2)]
			}
			v := Visit{ID: apptID, OfficeID: off.ID, ClinicianID: clin, ScheduledAt: at, Status: st}
			switch x := rng.IntN(100); {
			case x < 75:
				v.Notes = Notes{Count: 1, FirstSigned: at.Add(2 * time.Hour), FirstLocked: at.Add(time.Duration(2+rng.IntN(72)) * time.Hour)}
			case x < 87:
				v.Notes = Notes{Count: 1, FirstSigned: at.Add(2 * time.Hour), FirstLocked: at.Add(time.Duration(200+rng.IntN(400)) * time.Hour)}
			case x < 95:
				v.Notes = Notes{Count: 1, FirstSigned: at.Add(2 * time.Hour)}
			}
			r.Visits = append(r.Visits, v)
		}
	}
	return cfg, p, recs
}

var (
	firstNames = []string{"Ada", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo",
		"Kai", "Lea", "Max", "Nia", "Oto", "Pia", "Quin", "Rae", "Sol", "Tia", "Uma", "Val", "Wes", "Xia", "Yul", "Zoe"}
	lastNames = []string{"Abbott", "Baker", "Chen", "Diaz", "Evans", "Fox", "Garcia", "Hill", "Ito", "Jones",
		"Kim", "Lopez", "Moore", "Nguyen", "Ortiz", "Patel", "Quinn", "Reyes", "Smith", "Tran", "Ueda", "Vega",
		"White", "Xu", "Young", "Zhang"}
)
