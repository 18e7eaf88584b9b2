// Command genicon draws the Chorus app icon, so the icon is reviewable as code
// and needs no design tool: a rounded square with three voices (bars) rising
// together. Run through `go generate ./assets`.
package main

import (
	"flag"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

func main() {
	out := flag.String("o", "icon.png", "output PNG")
	size := flag.Int("size", 512, "edge in pixels")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, draw(*size)); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// draw renders with 4×4 supersampling: shapes are exact distance tests, and
// averaging the samples gives smooth edges without a vector library.
func draw(n int) *image.NRGBA {
	const ss = 4
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	s := float64(n)
	top := [3]float64{0x4F, 0x46, 0xE5}    // indigo
	bottom := [3]float64{0xC0, 0x26, 0xD3} // fuchsia
	bars := []struct{ x, h float64 }{{0.32, 0.30}, {0.50, 0.46}, {0.68, 0.36}}
	for py := 0; py < n; py++ {
		for px := 0; px < n; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) / s
					y := (float64(py) + (float64(sy)+0.5)/ss) / s
					if !inRoundRect(x, y, 0.04, 0.04, 0.96, 0.96, 0.22) {
						continue
					}
					t := (x + y) / 2
					cr := top[0] + (bottom[0]-top[0])*t
					cg := top[1] + (bottom[1]-top[1])*t
					cb := top[2] + (bottom[2]-top[2])*t
					for _, bar := range bars {
						w := 0.105
						if inRoundRect(x, y, bar.x-w/2, 0.5-bar.h/2, bar.x+w/2, 0.5+bar.h/2, w/2) {
							cr, cg, cb = 255, 255, 255
						}
					}
					r, g, b, a = r+cr, g+cg, b+cb, a+1
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{R: uint8(r / a), G: uint8(g / a), B: uint8(b / a), A: uint8(255 * a / (ss * ss))})
		}
	}
	return img
}

func inRoundRect(x, y, x0, y0, x1, y1, rad float64) bool {
	if x < x0 || x > x1 || y < y0 || y > y1 {
		return false
	}
	cx := math.Max(x0+rad, math.Min(x, x1-rad))
	cy := math.Max(y0+rad, math.Min(y, y1-rad))
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= rad*rad
}
