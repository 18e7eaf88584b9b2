// Command screenshot-data makes a fresh demo server look lived-in before
// make screenshots takes its pictures: a few rewards, points on the
// leaderboard, and one done activity and one redemption for member1.
//
//	go run ./scripts/screenshot-data --server http://127.0.0.1:8080
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"strings"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/google/uuid"
)

const password = "chorus-demo"

func main() {
	server := flag.String("server", "http://127.0.0.1:8080", "the demo server")
	flag.Parse()
	ctx := context.Background()
	login := func(email string) (*client.Client, string) {
		c := client.New(*server)
		if _, err := c.Login(ctx, email, password); err != nil {
			log.Fatalf("%s: %v", email, err)
		}
		me, err := c.Me(ctx)
		if err != nil {
			log.Fatal(err)
		}
		return c, me.Memberships[0].ProgramID
	}
	mgr, pid := login("manager@demo.test")
	var lunch string
	for _, r := range []struct {
		title, desc string
		cost, stock int
	}{
		// Beside the demo's own three: two the manager adds (the audit
		// log's picture shows them), one that most members can't reach yet.
		{"团队午餐 Team lunch", "Lunch with your team, on us. 和团队一起吃午饭。", 30, 25},
		{"大会门票 Conference ticket", "A ticket to this year's industry conference.", 400, 0},
	} {
		title, desc, cost := r.title, r.desc, r.cost
		in := client.RewardInput{Title: &title, Description: &desc, Cost: &cost}
		if r.stock > 0 {
			stock := r.stock
			in.Quantity = &stock
		}
		rw, err := mgr.CreateReward(ctx, pid, in)
		if err != nil {
			log.Fatalf("reward %s: %v", title, err)
		}
		if lunch == "" {
			lunch = rw.ID
		}
	}
	// Manager actions for the audit log's picture: a group, and two people
	// imported from a CSV.
	if _, err := mgr.CreateGroup(ctx, pid, "Partners"); err != nil {
		log.Fatalf("group: %v", err)
	}
	csv := "email,name,groups,timezone,language,role\nana.lima@demo.test,Ana Lima,Partners,America/Sao_Paulo,en,member\nwei.zhang@demo.test,张伟,Sales,Asia/Shanghai,zh-Hans,member\n"
	if _, err := mgr.ImportMembers(ctx, pid, []byte(csv), false); err != nil {
		log.Fatalf("import: %v", err)
	}
	// Members share: member i performs the first n WeChat activities it sees.
	for i, n := range map[int]int{1: 1, 2: 3, 3: 2, 4: 1} {
		c, pid := login(fmt.Sprintf("member%d@demo.test", i))
		feed, err := c.Feed(ctx, pid, "")
		if err != nil {
			log.Fatal(err)
		}
		done := 0
		for _, it := range feed.Items {
			if done == n || it.Network != "wechat" {
				continue
			}
			if _, err := c.Perform(ctx, pid, it.ID, client.Perform{ClientActionID: uuid.NewString(), Surface: "mobile"}); err != nil {
				log.Fatalf("member%d perform: %v", i, err)
			}
			done++
		}
		if i == 1 {
			if _, err := c.Redeem(ctx, pid, lunch, client.Redeem{ClientActionID: uuid.NewString()}); err != nil && !strings.Contains(err.Error(), "insufficient") {
				log.Fatalf("redeem: %v", err)
			}
		}
	}
	fmt.Println("demo data ready for pictures")
}
