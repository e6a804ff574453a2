// Reads the publisher's settings from the environment and its cameras from the rendered
// publish-NNN.json chunks, keeping only this replica's shard (fnv32a(id) % count == index).
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Layer is one stream of a camera, as MediaMTX relays it: its role in the simulcast track and size.
type Layer struct {
	Quality     string `json:"quality"`
	Path        string `json:"path"`
	Width       uint32 `json:"width"`
	Height      uint32 `json:"height"`
	BitrateKbps uint32 `json:"bitrateKbps"`
	FPS         uint32 `json:"fps"`
}

// Camera is one entry of a publish-NNN.json chunk.
type Camera struct {
	ID       string  `json:"id"`
	Room     string  `json:"room"`
	Identity string  `json:"identity"`
	Name     string  `json:"name"`
	Layers   []Layer `json:"layers"`
}

// Config is everything the process reads at start.
type Config struct {
	LivekitURL      string
	APIKey          string
	APISecret       string
	RTSPURL         string
	ReadUser        string
	ReadPassword    string
	CamerasDir      string
	ShardCount      uint32
	ShardIndex      uint32
	HealthPort      int
	OnDemand        bool
	IdleStopSeconds int
}

func required(name string, problems *[]string) string {
	v := os.Getenv(name)
	if v == "" {
		*problems = append(*problems, fmt.Sprintf("%s is not set", name))
	}
	return v
}

func intEnv(name string, def int, problems *[]string) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		*problems = append(*problems, fmt.Sprintf("%s=%q is not a non-negative integer", name, v))
		return def
	}
	return n
}

var trailingOrdinal = regexp.MustCompile(`-(\d+)$`)

// loadConfig reads the environment; every problem is reported at once, naming the variable.
func loadConfig() (Config, error) {
	var problems []string
	c := Config{
		LivekitURL:   required("LIVEKIT_URL", &problems),
		APIKey:       required("LIVEKIT_API_KEY", &problems),
		APISecret:    required("LIVEKIT_API_SECRET", &problems),
		RTSPURL:      strings.TrimRight(required("MEDIAMTX_RTSP_URL", &problems), "/"),
		ReadUser:     os.Getenv("MEDIAMTX_READ_USER"),
		ReadPassword: os.Getenv("MEDIAMTX_READ_PASSWORD"),
		CamerasDir:   required("LKSTACK_CAMERAS_DIR", &problems),
		HealthPort:   intEnv("LKSTACK_HEALTH_PORT", 9210, &problems),
		OnDemand:     os.Getenv("LKSTACK_ON_DEMAND") == "true",
	}
	c.IdleStopSeconds = intEnv("LKSTACK_IDLE_STOP_SECONDS", 60, &problems)
	count := intEnv("LKSTACK_SHARD_COUNT", 1, &problems)
	if count < 1 {
		problems = append(problems, "LKSTACK_SHARD_COUNT must be at least 1")
		count = 1
	}
	c.ShardCount = uint32(count)
	if os.Getenv("LKSTACK_SHARD_INDEX") != "" {
		c.ShardIndex = uint32(intEnv("LKSTACK_SHARD_INDEX", 0, &problems))
	} else if m := trailingOrdinal.FindStringSubmatch(os.Getenv("HOSTNAME")); m != nil {
		n, _ := strconv.Atoi(m[1])
		c.ShardIndex = uint32(n)
	} else if count > 1 {
		problems = append(problems, "LKSTACK_SHARD_INDEX is not set and HOSTNAME has no trailing -<n> (a StatefulSet pod name)")
	}
	if c.ShardIndex >= c.ShardCount {
		problems = append(problems, fmt.Sprintf("shard index %d is not below LKSTACK_SHARD_COUNT=%d", c.ShardIndex, c.ShardCount))
	}
	if (c.ReadUser == "") != (c.ReadPassword == "") {
		problems = append(problems, "set both MEDIAMTX_READ_USER and MEDIAMTX_READ_PASSWORD, or neither")
	}
	if len(problems) > 0 {
		return c, errors.New(strings.Join(problems, "; "))
	}
	return c, nil
}

var chunkName = regexp.MustCompile(`^publish-\d{3,}\.json$`)

// loadCameras joins the chunk files in name order and keeps this shard's cameras.
func loadCameras(c Config) ([]Camera, error) {
	entries, err := os.ReadDir(c.CamerasDir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && chunkName.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var mine []Camera
	seen := map[string]bool{}
	for _, name := range names {
		body, err := os.ReadFile(filepath.Join(c.CamerasDir, name))
		if err != nil {
			return nil, err
		}
		var chunk []Camera
		if err := json.Unmarshal(body, &chunk); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for i, cam := range chunk {
			if err := validCamera(cam); err != nil {
				return nil, fmt.Errorf("%s[%d]: %w", name, i, err)
			}
			if seen[cam.ID] {
				return nil, fmt.Errorf("%s[%d]: camera %s listed twice", name, i, cam.ID)
			}
			seen[cam.ID] = true
			if shardOf(cam.ID, c.ShardCount) == c.ShardIndex {
				mine = append(mine, cam)
			}
		}
	}
	return mine, nil
}

func shardOf(id string, count uint32) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return h.Sum32() % count
}

func validCamera(cam Camera) error {
	if cam.ID == "" || cam.Room == "" || cam.Identity == "" {
		return errors.New("id, room and identity are required")
	}
	if len(cam.Layers) == 0 || len(cam.Layers) > 3 {
		return fmt.Errorf("camera %s: 1 to 3 layers, got %d", cam.ID, len(cam.Layers))
	}
	qualities := map[string]bool{}
	for _, l := range cam.Layers {
		if _, ok := qualityOf[l.Quality]; !ok {
			return fmt.Errorf("camera %s: layer quality %q is not high, medium or low", cam.ID, l.Quality)
		}
		if qualities[l.Quality] {
			return fmt.Errorf("camera %s: layer %s listed twice", cam.ID, l.Quality)
		}
		qualities[l.Quality] = true
		if l.Path == "" || l.Width == 0 || l.Height == 0 {
			return fmt.Errorf("camera %s: layer %s needs path, width and height", cam.ID, l.Quality)
		}
	}
	return nil
}
