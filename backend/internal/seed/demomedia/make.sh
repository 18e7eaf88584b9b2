#!/bin/sh
# Regenerates the demo program's media (embedded into the server by
# ../demomedia.go), then prints what `chorus-server probe` would say of each.
# Files stay tiny (all three well under 300 KB): few frames, low quality,
# smooth pictures that compress to almost nothing. Needs ffmpeg with
# libx264 (Debian's ffmpeg package).
set -eu
cd "$(dirname "$0")"

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y -threads 1 "$@"; }
EXACT="-map_metadata -1 -fflags +bitexact -flags:v +bitexact"
X264="-c:v libx264 -preset veryslow -pix_fmt yuv420p -tune stillimage"

# WeChat Photo: a 1200×675 launch banner (JPEG).
ff -f lavfi -i "gradients=size=1200x675:c0=0x1d4ed8:c1=0x9333ea:c2=0xf59e0b:nb_colors=3:seed=7,format=rgb24" \
	-frames:v 1 -q:v 8 $EXACT photo_launch.jpg

# WeChat Video: 12 s (WeChat allows 15 s or less), 360×640 portrait MP4.
ff -f lavfi -i "gradients=size=360x640:c0=0x0ea5e9:c1=0x22c55e:nb_colors=2:seed=3:speed=0.02:rate=6:duration=12" \
	$X264 -crf 40 -g 72 $EXACT -movflags +faststart video_wechat.mp4

# TikTok Video: 8 s (3–60 s), 540×960 (shorter side at least 540 px) MP4.
ff -f lavfi -i "gradients=size=540x960:c0=0xef4444:c1=0x111827:c2=0x06b6d4:nb_colors=3:seed=5:speed=0.02:rate=6:duration=8" \
	$X264 -crf 42 -g 48 $EXACT -movflags +faststart video_tiktok.mp4

ls -l photo_launch.jpg video_wechat.mp4 video_tiktok.mp4
(cd ../../../.. && go run ./backend/cmd/chorus-server probe --kind wechat_photo backend/internal/seed/demomedia/photo_launch.jpg &&
	go run ./backend/cmd/chorus-server probe --kind wechat_video backend/internal/seed/demomedia/video_wechat.mp4 &&
	go run ./backend/cmd/chorus-server probe --kind tiktok_video backend/internal/seed/demomedia/video_tiktok.mp4)
