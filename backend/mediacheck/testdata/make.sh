#!/bin/sh
# Regenerates the media files the mediacheck tests read, then prints what
# ffprobe says about each so the expected values in probe_test.go can be
# checked by eye (the tests never run ffprobe: CI must pass with the
# committed files alone). Needs ffmpeg with libx264, libx265, libvpx,
# libaom, libopus and libwebp (Debian's ffmpeg package has them all).
#
# Files stay tiny: tiny frames and low quality wherever the resolution does
# not matter, flat colour where it does.
set -eu
cd "$(dirname "$0")"

for enc in libx264 libx265 libvpx libvpx-vp9 libaom-av1 mpeg4 aac libopus libwebp libwebp_anim gif png mjpeg; do
	ffmpeg -hide_banner -encoders 2>/dev/null | grep -q " $enc " || {
		echo "make.sh: this ffmpeg has no $enc encoder" >&2
		exit 1
	}
done

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y -threads 1 "$@"; }

# Small noisy picture (resolution irrelevant) and a flat one (resolution matters).
small() { echo "-f lavfi -i testsrc=size=96x54:rate=10:duration=$1"; }
flat() { echo "-f lavfi -i color=c=0x3366cc:size=$1:rate=5:duration=$2"; }
tone() { echo "-f lavfi -i sine=frequency=440:sample_rate=8000:duration=$1"; }
X264="-c:v libx264 -preset veryfast -crf 45 -pix_fmt yuv420p"
AAC="-c:a aac -b:a 8k"
OPUS="-c:a libopus -b:a 6k"
EXACT="-map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact"

# ISO-BMFF
ff $(small 15) $X264 $EXACT mp4_h264_moovend_15s.mp4
ff $(small 15.5) $(tone 15.5) $X264 $AAC $EXACT -movflags +faststart mp4_h264_faststart_15_5s.mp4
ff $(small 2.9) $X264 $EXACT -movflags +faststart mp4_h264_2_9s.mp4
ff $(small 3) $X264 $EXACT -movflags +faststart mp4_h264_3s.mp4
ff $(small 4) $(tone 4) $X264 $AAC $EXACT mov_h264.mov
ff $(small 2) -f lavfi -i "sine=frequency=440:sample_rate=8000:duration=4" $X264 $AAC $EXACT mp4_audio_longer.mp4
ff $(flat 540x960 3) $X264 $EXACT -movflags +faststart mp4_portrait_540x960.mp4
ff $(flat 480x854 3) $X264 $EXACT -movflags +faststart mp4_portrait_480x854.mp4
# The muxer only honours "rotate" when remuxing: it becomes a 90° tkhd matrix.
ff $(flat 960x540 3) $X264 $EXACT rotate.tmp.mp4
ff -i rotate.tmp.mp4 -c copy $EXACT -metadata:s:v:0 rotate=90 mp4_rotated_90.mp4
rm rotate.tmp.mp4
ff $(small 2) -c:v libx265 -preset ultrafast -crf 45 -tag:v hvc1 -x265-params log-level=error $EXACT mp4_hevc.mp4
ff -f lavfi -i testsrc=size=64x64:rate=10:duration=1 -c:v libaom-av1 -cpu-used 8 -crf 60 $EXACT mp4_av1.mp4
ff $(small 2) -c:v mpeg4 -q:v 31 $EXACT mp4_mpeg4.mp4
# Fragmented, written to a pipe so that nothing goes back to fill in durations.
ff $(small 4) $X264 $EXACT -movflags frag_keyframe+empty_moov -f mp4 pipe:1 >mp4_fragmented.mp4

# Matroska / WebM
ff $(small 4) $(tone 4) -c:v libvpx -b:v 20k $OPUS $EXACT webm_vp8.webm
ff $(small 3.5) $(tone 3.5) -c:v libvpx-vp9 -b:v 20k -deadline realtime $OPUS $EXACT webm_vp9.webm
# Written to a pipe: the muxer cannot seek back, so Info has no Duration.
ff $(small 5) $(tone 5) -c:v libvpx-vp9 -b:v 20k -deadline realtime $OPUS $EXACT -f webm pipe:1 >webm_vp9_live.webm
ff $(small 3) -c:v libvpx -b:v 20k $EXACT -live 1 -f webm pipe:1 >webm_vp8_live.webm
ff $(small 3) $(tone 3) $X264 $AAC $EXACT mkv_h264.mkv

# Images
ff -f lavfi -i testsrc=size=64x48 -frames:v 1 $EXACT image.jpg
ff -f lavfi -i testsrc=size=64x48 -frames:v 1 $EXACT image.png
ff -f lavfi -i testsrc=size=64x48 -frames:v 1 $EXACT image.gif
ff -f lavfi -i testsrc=size=64x48 -frames:v 1 -c:v libwebp -quality 30 $EXACT image_lossy.webp
ff -f lavfi -i testsrc=size=64x48 -frames:v 1 -c:v libwebp -lossless 1 $EXACT image_lossless.webp
ff -f lavfi -i testsrc=size=64x48:rate=5:duration=1 -c:v libwebp_anim -quality 10 -loop 0 $EXACT image_animated.webp

# Not media at all, whatever the name says.
printf 'This is a plain text file, not a video.\n' >text_renamed.mp4

for f in *.mp4 *.mov *.webm *.mkv *.jpg *.png *.gif *.webp; do
	printf '%s: ' "$f"
	ffprobe -v error -show_entries format=format_name,duration,size:stream=codec_type,codec_name,width,height,duration:stream_side_data=rotation \
		-of compact=p=0:nk=0 "$f" 2>&1 | tr '\n' ' '
	case "$f" in
	*.webm | *.mkv) # live files have no format duration: show where packets end
		ffprobe -v error -show_entries packet=stream_index,pts_time,duration_time -of csv=p=0 "$f" |
			awk -F, 'NF >= 3 { e = $2 + $3; if (e > m[$1]) m[$1] = e } END { for (k in m) printf "| packets%s_end=%.3f ", k, m[k] }' ;;
	esac
	echo
done
