// Reads one JSON string per line (a MediaMTX path `source`) and prints, per line, how MediaMTX
// v1.20.1 reads it: the config check of internal/conf/path.go (case-sensitive prefix, then
// validateURL), the substitution of internal/staticsources/handler.go (resolveSource, no regexp
// groups, empty query) and the RTSP source's own parse (internal/staticsources/rtsp/source.go:
// url.Parse, then gortsplib's base.ParseURL on its String()). Those few lines are repeated here
// because they sit in MediaMTX's internal packages; net/url and gortsplib are the real ones.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/bluenviron/gortsplib/v5/pkg/base"
)

type result struct {
	OK       bool   `json:"ok"`
	Error    string `json:"error,omitempty"`
	Scheme   string `json:"scheme,omitempty"`
	Hostname string `json:"hostname,omitempty"`
	Port     string `json:"port,omitempty"`
	Path     string `json:"path,omitempty"`
	RawQuery string `json:"rawQuery,omitempty"`
	User     string `json:"user,omitempty"`
	Pass     string `json:"pass,omitempty"`
	HasUser  bool   `json:"hasUser"`
}

// validateURL as in internal/conf/path.go (no $G placeholders: lkstack paths are not regexps).
func validateURL(source string) (*url.URL, error) {
	u, err := url.Parse(source)
	if err != nil {
		return nil, fmt.Errorf("'%s' is not a valid URL", source)
	}
	if u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("'%s' is not a valid URL", source)
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		user := u.User.Username()
		if user != "" && pass == "" || user == "" && pass != "" {
			return nil, fmt.Errorf("username and password must be both provided")
		}
	}
	return u, nil
}

func check(source string) result {
	if !strings.HasPrefix(source, "rtsp://") && !strings.HasPrefix(source, "rtsps://") {
		return result{Error: fmt.Sprintf("invalid source: '%s'", source)}
	}
	if _, err := validateURL(source); err != nil {
		return result{Error: err.Error()}
	}
	resolved := strings.ReplaceAll(source, "$MTX_QUERY", "")
	u0, err := url.Parse(resolved)
	if err != nil {
		return result{Error: err.Error()}
	}
	u, err := base.ParseURL(u0.String())
	if err != nil {
		return result{Error: err.Error()}
	}
	r := result{OK: true, Scheme: u.Scheme, Hostname: u.Hostname(), Port: u.Port(), Path: u.Path, RawQuery: u.RawQuery}
	if u.User != nil {
		r.HasUser = true
		r.User = u.User.Username()
		r.Pass, _ = u.User.Password()
	}
	return r
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var source string
		if err := json.Unmarshal(in.Bytes(), &source); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := out.Encode(check(source)); err != nil {
			os.Exit(2)
		}
	}
}
