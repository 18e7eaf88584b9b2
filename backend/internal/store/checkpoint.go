package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// SQLite's writer checkpoints the WAL itself when it reaches 1,000 pages
// (wal_autocheckpoint): it copies the pages into the database file and
// fsyncs that file inside a commit, while every perform of the next batch
// waits. A checkpointer on its own connection does that work beside the
// writer instead (PASSIVE: it never blocks the writer or a reader), and the
// writer's own threshold is raised to a safety net for when the
// checkpointer falls behind (walAutocheckpoint).
const (
	checkpointEvery   = 200 * time.Millisecond
	walAutocheckpoint = 16384 // pages, 64 MB at 4 KB
)

type checkpointer struct {
	db      *sql.DB
	stop    chan struct{}
	done    sync.WaitGroup
	closing sync.Once // Store.Close may be called more than once
}

func startCheckpointer(path, pragmas string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	c := &checkpointer{db: db, stop: make(chan struct{})}
	c.done.Add(1)
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer c.done.Done()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			// A failed checkpoint is tried again at the next tick, and the
			// writer's own threshold bounds the WAL meanwhile.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_, _ = c.db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
			cancel()
		}
	}
}

func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	var err error
	c.closing.Do(func() {
		close(c.stop)
		c.done.Wait()
		err = c.db.Close()
	})
	return err
}
