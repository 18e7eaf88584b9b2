#!/bin/sh
# Regenerates the demo program's media (embedded into the server by
# ../demomedia.go), then prints what `chorus-server probe` would say of each.
# Files stay tiny (all three well under 300 KB): few frames, low quality,
# smooth pictures that compress to almost nothing, with words on them so a
# person sees at once which is which (the photo in the feed, each video's
# poster). Needs ffmpeg with libx264 and libfreetype (Debian's ffmpeg
# package) and the DejaVu fonts (fonts-dejavu-core).
set -eu
cd "$(dirname "$0")"

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y -threads 1 "$@"; }
EXACT="-map_metadata -1 -fflags +bitexact -flags:v +bitexact"
X264="-c:v libx264 -preset veryslow -pix_fmt yuv420p -tune stillimage"
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
# text TEXT SIZE Y: white words centred at height Y, with a soft shadow
text() { echo "drawtext=fontfile=$FONT:text='$1':fontsize=$2:fontcolor=white:shadowcolor=black@0.45:shadowx=3:shadowy=3:x=(w-text_w)/2:y=$3"; }

# WeChat Photo: a 1200×675 launch banner (JPEG): a product card and its words.
ff -f lavfi -i "gradients=size=1200x675:c0=0x1d4ed8:c1=0x9333ea:c2=0xf59e0b:nb_colors=3:seed=7,format=rgb24,\
drawbox=x=0:y=520:w=1200:h=155:color=0x0f172a@0.55:t=fill,\
$(text 'NEW' 40 90),$(text 'Chorus Launch Day' 96 160),$(text 'Our new product is here' 52 300),\
$(text 'example.com/launch' 44 570)" \
	-frames:v 1 -q:v 6 $EXACT photo_launch.jpg

# WeChat Video: 12 s (WeChat allows 15 s or less), 360×640 portrait MP4.
ff -f lavfi -i "gradients=size=360x640:c0=0x0ea5e9:c1=0x22c55e:nb_colors=2:seed=3:speed=0.02:rate=6:duration=12,\
$(text 'Behind' 64 200),$(text 'the scenes' 56 280),$(text 'with our team' 30 380)" \
	$X264 -crf 40 -g 72 $EXACT -movflags +faststart video_wechat.mp4

# TikTok Video: 8 s (3–60 s), 540×960 (shorter side at least 540 px) MP4.
ff -f lavfi -i "gradients=size=540x960:c0=0xef4444:c1=0x111827:c2=0x06b6d4:nb_colors=3:seed=5:speed=0.02:rate=6:duration=8,\
$(text 'Chorus' 110 300),$(text 'on TikTok' 72 440),$(text '#launchday' 48 600)" \
	$X264 -crf 42 -g 48 $EXACT -movflags +faststart video_tiktok.mp4

ls -l photo_launch.jpg video_wechat.mp4 video_tiktok.mp4
(cd ../../../.. && go run ./backend/cmd/chorus-server probe --kind wechat_photo backend/internal/seed/demomedia/photo_launch.jpg &&
	go run ./backend/cmd/chorus-server probe --kind wechat_video backend/internal/seed/demomedia/video_wechat.mp4 &&
	go run ./backend/cmd/chorus-server probe --kind tiktok_video backend/internal/seed/demomedia/video_tiktok.mp4)
