package ehr

// Decoding and evaluating on different goroutines (issue 12): the period's scans are
// read, decoded and merged into PatientRecords on one goroutine while the Sink (the
// measure engine, the report) works on the calling one. Records travel in batches
// through a small ring of reused buffers, so that memory stays bounded (pipeBatches ×
// pipeBatch records) whatever the size of the practice.

import (
	"context"
	"fmt"
	"time"

	"github.com/mipspi/mipspi/measure"
)

const (
	pipeBatch   = 256
	pipeBatches = 4
)

type batch struct {
	recs []measure.PatientRecord
	invs []measure.Invitation
	n    int
}

// batchSink is the producer side: it copies each record into the current batch.
type batchSink struct {
	ctx       context.Context
	out, free chan *batch
	cur       *batch
}

func (b *batchSink) Practice(measure.Practice) error { return nil }

func (b *batchSink) Patient(rec *measure.PatientRecord) error {
	if b.cur == nil {
		select {
		case b.cur = <-b.free:
			b.cur.n = 0
		case <-b.ctx.Done():
			return b.ctx.Err()
		}
	}
	i := b.cur.n
	slot := &b.cur.recs[i]
	slot.Patient = rec.Patient
	slot.Visits = append(slot.Visits[:0], rec.Visits...)
	slot.FirstInvitation = nil
	if rec.FirstInvitation != nil {
		b.cur.invs[i] = *rec.FirstInvitation
		slot.FirstInvitation = &b.cur.invs[i]
	}
	b.cur.n++
	if b.cur.n == len(b.cur.recs) {
		return b.send()
	}
	return nil
}

func (b *batchSink) send() error {
	if b.cur == nil || b.cur.n == 0 {
		return nil
	}
	select {
	case b.out <- b.cur:
		b.cur = nil
		return nil
	case <-b.ctx.Done():
		return b.ctx.Err()
	}
}

// sinkError marks an error of the consumer's Sink.
type sinkError struct{ err error }

// piped runs r.readPeriod on another goroutine and hands its records to sink here.
func (r *reader) piped(p measure.Practice, lo, hi time.Time, sink Sink) error {
	out := make(chan *batch, pipeBatches)
	free := make(chan *batch, pipeBatches)
	for range pipeBatches {
		free <- &batch{recs: make([]measure.PatientRecord, pipeBatch), invs: make([]measure.Invitation, pipeBatch)}
	}
	bs := &batchSink{ctx: r.ctx, out: out, free: free}
	var perr error
	go func() {
		defer close(out)
		perr = r.readPeriod(p, lo, hi, bs)
		if perr == nil {
			perr = bs.send()
		}
	}()
	var serr error
	for b := range out {
		if serr == nil {
			for i := range b.n {
				rec := &b.recs[i]
				if err := sink.Patient(rec); err != nil {
					serr = fmt.Errorf("read %s: %w", r.s, err)
					r.cancel() // the producer stops; out is drained below
					break
				}
				r.st.Patients++
				r.st.Appointments += len(rec.Visits)
				for _, v := range rec.Visits {
					r.st.Notes += v.Notes.Count
				}
				if rec.FirstInvitation != nil {
					r.st.Invitations++
				}
			}
		}
		free <- b
	}
	if serr != nil {
		return serr
	}
	return perr
}
