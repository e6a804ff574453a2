// The run's shape, from flags and the environment (the API key pair stays out of argv, where `ps`
// would show it). Every bound is checked here so a bad run fails before anyone joins.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/livekit/protocol/livekit"
)

// maxSeconds bounds the measurement window: the bench grows steps, and one step must stay short.
const maxSeconds = 120

// layer is one published simulcast layer (or the only one), with the size its keyframes carry.
type layer struct {
	name    string
	quality livekit.VideoQuality
	width   uint16
	height  uint16
	kbps    int
}

type config struct {
	url             string
	apiKey          string
	apiSecret       string
	rooms           int
	subscribers     int
	seconds         int
	warmup          time.Duration
	fps             int
	simulcast       bool
	roomPrefix      string
	layers          []layer // low to high; one (high) without --simulcast
	lowSlots        int     // of every 10 subscribers, indexes below lowSlots take low,
	mediumSlots     int     // those below mediumSlots medium, the rest high
	joinConcurrency int
	joinTimeout     time.Duration
	joinBudget      time.Duration
}

// teardown bounds the clean disconnect at the end; the hard deadline allows for it.
const teardown = 15 * time.Second

// hardDeadline is when the process gives up whatever it is doing: every phase has its own bound,
// so passing this means something hung.
func (c config) hardDeadline() time.Duration {
	return c.joinBudget + c.warmup + time.Duration(c.seconds)*time.Second + teardown + 10*time.Second
}

func parseConfig(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("lkstack-load", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // the caller prints the one-line error; -h prints usage below
	fs.StringVar(&c.url, "url", "ws://127.0.0.1:7880", "livekit-server's signalling URL (ws:// or wss://)")
	fs.IntVar(&c.rooms, "rooms", 1, "rooms, each with one publisher")
	fs.IntVar(&c.subscribers, "subscribers", 10, "subscribers per room")
	fs.IntVar(&c.seconds, "seconds", 20, fmt.Sprintf("measurement window in seconds (at most %d)", maxSeconds))
	fs.DurationVar(&c.warmup, "warmup", 3*time.Second, "wait after the last join before measuring (layer switches settle)")
	fs.IntVar(&c.fps, "fps", 15, "frames per second per layer")
	fs.BoolVar(&c.simulcast, "simulcast", false, "publish three layers (q/h/f) instead of one")
	fs.StringVar(&c.roomPrefix, "room-prefix", "camera_", "room names are this prefix and the room's index")
	bitrates := fs.String("bitrates", "150,500,1700", "low,medium,high layer bitrates in kbps")
	mix := fs.String("mix", "0.7,0.2,0.1", "share of subscribers on low,medium,high (simulcast only)")
	fs.IntVar(&c.joinConcurrency, "join-concurrency", 4, "participants joining at once")
	fs.DurationVar(&c.joinTimeout, "join-timeout", 20*time.Second, "per participant: connect, and for a subscriber its first packet")
	fs.DurationVar(&c.joinBudget, "join-budget", 150*time.Second, "the whole join phase; participants not joined by then are errors")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(os.Stderr)
			fs.PrintDefaults()
		}
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.apiKey, c.apiSecret = os.Getenv("LIVEKIT_API_KEY"), os.Getenv("LIVEKIT_API_SECRET")
	if c.apiKey == "" || c.apiSecret == "" {
		return c, errors.New("LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set")
	}
	if !strings.HasPrefix(c.url, "ws://") && !strings.HasPrefix(c.url, "wss://") {
		return c, fmt.Errorf("--url %q: want ws:// or wss://", c.url)
	}
	switch {
	case c.rooms < 1 || c.rooms > 200:
		return c, fmt.Errorf("--rooms %d: want 1..200", c.rooms)
	case c.subscribers < 1 || c.subscribers > 100:
		return c, fmt.Errorf("--subscribers %d: want 1..100", c.subscribers)
	case c.seconds < 1 || c.seconds > maxSeconds:
		return c, fmt.Errorf("--seconds %d: want 1..%d", c.seconds, maxSeconds)
	case c.warmup < 0 || c.warmup > time.Minute:
		return c, fmt.Errorf("--warmup %s: want 0..1m", c.warmup)
	case c.fps < 1 || c.fps > 60:
		return c, fmt.Errorf("--fps %d: want 1..60", c.fps)
	case c.joinConcurrency < 1 || c.joinConcurrency > 64:
		return c, fmt.Errorf("--join-concurrency %d: want 1..64", c.joinConcurrency)
	case c.joinTimeout < time.Second || c.joinTimeout > 2*time.Minute:
		return c, fmt.Errorf("--join-timeout %s: want 1s..2m", c.joinTimeout)
	case c.joinBudget < c.joinTimeout || c.joinBudget > 10*time.Minute:
		return c, fmt.Errorf("--join-budget %s: want --join-timeout..10m", c.joinBudget)
	}
	kbps, err := parseNumbers("--bitrates", *bitrates)
	if err != nil {
		return c, err
	}
	for _, k := range kbps {
		if k < 10 || k > 20000 || k != math.Trunc(k) {
			return c, fmt.Errorf("--bitrates %q: want whole kbps in 10..20000", *bitrates)
		}
	}
	// The sizes of the bench's ladder (bench/load.ts): the seed's 1080p/720p/360p at what this box can carry.
	all := []layer{
		{"low", livekit.VideoQuality_LOW, 320, 180, int(kbps[0])},
		{"medium", livekit.VideoQuality_MEDIUM, 640, 360, int(kbps[1])},
		{"high", livekit.VideoQuality_HIGH, 1280, 720, int(kbps[2])},
	}
	if c.simulcast {
		c.layers = all
	} else {
		c.layers = all[2:]
	}
	shares, err := parseNumbers("--mix", *mix)
	if err != nil {
		return c, err
	}
	if shares[0] < 0 || shares[1] < 0 || shares[2] < 0 || math.Abs(shares[0]+shares[1]+shares[2]-1) > 0.001 {
		return c, fmt.Errorf("--mix %q: want three non-negative shares summing to 1", *mix)
	}
	// Whole slots of ten, rounded, so 0.7+0.2 is 9 and not 8.999….
	c.lowSlots = int(math.Round(shares[0] * 10))
	c.mediumSlots = int(math.Round((shares[0] + shares[1]) * 10))
	return c, nil
}

// parseNumbers reads "a,b,c" into exactly three numbers.
func parseNumbers(name, s string) ([3]float64, error) {
	var out [3]float64
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return out, fmt.Errorf("%s %q: want three comma-separated numbers", name, s)
	}
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return out, fmt.Errorf("%s %q: %q is not a number", name, s, p)
		}
		out[i] = v
	}
	return out, nil
}

// layerFor is the layer subscriber i (its index in its room) asks for: the viewer grid's mix in
// slots of ten; with one published layer everyone takes it.
func (c config) layerFor(i int) layer {
	if !c.simulcast {
		return c.layers[0]
	}
	switch slot := i % 10; {
	case slot < c.lowSlots:
		return c.layers[0]
	case slot < c.mediumSlots:
		return c.layers[1]
	default:
		return c.layers[2]
	}
}
