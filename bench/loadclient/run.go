// The run: publishers first (a subscriber needs a track to subscribe to), then subscribers spread
// over the rooms as viewers arrive, a warm-up for layer switches, the measurement window, and a
// clean disconnect of everyone.
package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"
)

// What stderr says as the measurement window opens and closes (bench/load.ts waits for them).
const (
	windowStart = "lkstack-load: window start"
	windowEnd   = "lkstack-load: window end"
)

// run returns the report, or an error when nothing could be measured at all. Participants that
// fail are counted in the report's errors: under overload they are the result, not a failure.
func run(c config) (*report, error) {
	st := &runState{}
	joinCtx, cancel := context.WithTimeout(context.Background(), c.joinBudget)
	defer cancel()

	rooms := make([]string, c.rooms)
	for i := range rooms {
		rooms[i] = fmt.Sprintf("%s%d", c.roomPrefix, i+1)
	}
	pubs := make([]*publisher, c.rooms)
	joinAll(joinCtx, c.rooms, c.joinConcurrency, func(i int) {
		p, err := publish(c, rooms[i], st)
		if err != nil {
			st.errs.add(err.Error())
			return
		}
		pubs[i] = p
	}, func(i int) { st.errs.add(rooms[i] + ": publisher not started: join budget spent") })

	// Subscriber k joins room k%R: every room fills at the same pace, and index k/R in its room
	// picks its layer. A room whose publisher failed gets none (that failure is already counted).
	subs := make([]*subscriber, c.rooms*c.subscribers)
	joinAll(joinCtx, len(subs), c.joinConcurrency, func(k int) {
		if pubs[k%c.rooms] == nil {
			return
		}
		s, err := subscribe(c, rooms[k%c.rooms], k/c.rooms, st)
		if err != nil {
			st.errs.add(err.Error())
			return
		}
		subs[k] = s
	}, func(k int) {
		if pubs[k%c.rooms] != nil {
			st.errs.add(fmt.Sprintf("%s: subscriber %d not started: join budget spent", rooms[k%c.rooms], k/c.rooms))
		}
	})
	pubs, subs = joined(pubs), joined(subs)
	if len(pubs) == 0 || len(subs) == 0 {
		disconnect(pubs, subs, st)
		_, first := st.errs.summary()
		return nil, fmt.Errorf("%d publishers and %d subscribers joined; first error: %s", len(pubs), len(subs), firstOr(first, "none"))
	}

	time.Sleep(c.warmup)
	start := make([]counters, len(subs))
	for i, s := range subs {
		start[i] = s.stats.snapshot()
	}
	st.measuring.Store(true)
	began := time.Now()
	// The bench samples the server's CPU and memory at these two lines: the same window as ours.
	fmt.Fprintln(os.Stderr, windowStart)
	time.Sleep(time.Duration(c.seconds) * time.Second)
	st.measuring.Store(false)
	fmt.Fprintln(os.Stderr, windowEnd)
	elapsed := time.Since(began)
	end := make([]counters, len(subs))
	for i, s := range subs {
		end[i] = s.stats.snapshot()
	}

	disconnect(pubs, subs, st)
	rep := buildReport(c, len(pubs), subs, start, end, elapsed, &st.errs)
	if rep.SubscribersReceiving == 0 {
		_, first := st.errs.summary()
		return nil, fmt.Errorf("no subscriber received a packet in the window; first error: %s", firstOr(first, "none"))
	}
	return rep, nil
}

// joined drops the participants that never joined.
func joined[T any](ps []*T) []*T {
	out := make([]*T, 0, len(ps))
	for _, p := range ps {
		if p != nil {
			out = append(out, p)
		}
	}
	return out
}

func firstOr(msgs []string, fallback string) string {
	if len(msgs) == 0 {
		return fallback
	}
	return msgs[0]
}

// disconnect has everyone leave, subscribers first (so no one sees its publisher go), a few at a
// time; what has not left within the teardown bound is reported and left to the process's exit.
func disconnect(pubs []*publisher, subs []*subscriber, st *runState) {
	st.closing.Store(true)
	done := make(chan struct{})
	go func() {
		defer close(done)
		leave := func(n int, one func(i int)) {
			slots := make(chan struct{}, 8)
			var wg sync.WaitGroup
			for i := range n {
				slots <- struct{}{}
				wg.Go(func() {
					defer func() { <-slots }()
					one(i)
				})
			}
			wg.Wait()
		}
		leave(len(subs), func(i int) { subs[i].close() })
		leave(len(pubs), func(i int) { pubs[i].close() })
	}()
	select {
	case <-done:
	case <-time.After(teardown):
		st.errs.add(fmt.Sprintf("teardown: not everyone left within %s", teardown))
	}
}
