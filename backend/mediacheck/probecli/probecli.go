// Package probecli is the server's "probe" subcommand: it runs the media
// rules over files on disk and prints one JSON object per file, so an
// operator (or a script) can see why an upload would be refused without
// going through the API.
package probecli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/chorus-advocacy/chorus/backend/mediacheck"
)

const usage = "usage: probe [--kind wechat_photo|wechat_video|tiktok_video] FILE..."

// Result is the line printed for one file.
type Result struct {
	File       string               `json:"file"`
	Kind       mediacheck.Kind      `json:"kind,omitempty"`
	OK         bool                 `json:"ok"`
	Container  string               `json:"container"`
	VideoCodec string               `json:"video_codec"`
	Width      int                  `json:"width"`
	Height     int                  `json:"height"`
	DurationMS int64                `json:"duration_ms"`
	SizeBytes  int64                `json:"size_bytes"`
	Problems   []mediacheck.Problem `json:"problems"`
}

// Run executes "probe" with args (the words after the subcommand name) and
// returns the exit status: 0 when every file is fine for the kind (or, with
// no kind, readable), 1 when any is refused, 2 on a usage error.
func Run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kindName := fs.String("kind", "", "apply this activity kind's rules: wechat_photo, wechat_video or tiktok_video")
	fs.Usage = func() {
		fmt.Fprintln(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var kind mediacheck.Kind
	if *kindName != "" {
		k, ok := mediacheck.ParseKind(*kindName)
		if !ok {
			fmt.Fprintf(stderr, "probe: unknown kind %q\n%s\n", *kindName, usage)
			return 2
		}
		kind = k
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(stderr, "probe: no files given\n%s\n", usage)
		return 2
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	status := 0
	for _, file := range fs.Args() {
		r := check(file, kind)
		if !r.OK {
			status = 1
		}
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(stderr, "probe: %v\n", err)
			return 1
		}
	}
	return status
}

func check(file string, kind mediacheck.Kind) Result {
	info, err := mediacheck.ProbeFile(file)
	r := Result{
		File: file, Kind: kind,
		Container: info.Container, VideoCodec: info.VideoCodec,
		Width: info.Width, Height: info.Height,
		DurationMS: info.DurationMS, SizeBytes: info.SizeBytes,
		Problems: []mediacheck.Problem{},
	}
	switch {
	case err != nil:
		r.Problems = append(r.Problems, mediacheck.ProbeProblem(kind, err))
	case kind != "":
		r.Problems = append(r.Problems, mediacheck.Check(kind, info, mediacheck.DefaultLimits())...)
	}
	r.OK = len(r.Problems) == 0
	return r
}
