package migrations

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/mizzle/mizzle/migrate"
)

// Fork is what two branches that each generated a migration leave behind
// once merged: migrations after Base that were not generated on top of it.
type Fork struct {
	// Kept is the folder up to and including the last migration whose
	// snapshot chains correctly; Kept.Next writes after it.
	Kept *Folder
	// Dropped are the journal entries after it, in journal order: they
	// were generated against an older state and must be generated again.
	Dropped []migrate.JournalEntry
	// Files are the files of the dropped migrations that no kept
	// migration uses, relative to the folder.
	Files []string
}

// ErrNoFork is returned by FindFork for a folder whose snapshots chain.
var ErrNoFork = errors.New("the migrations chain: nothing to re-chain")

// FindFork reads a folder that ReadFolder may refuse, and finds where its
// chain of snapshots breaks: the first migration whose snapshot is shared
// with, or does not follow, the one before it. Everything from there on is
// to be dropped and generated again from the merged schema, which is how a
// migration made on a branch is re-chained after the one merged before it.
//
// The last kept migration's snapshot must be intact (its id matches its
// content and parent), since it is the base of the regenerated migration.
func FindFork(fsys fs.FS) (*Fork, error) {
	data, err := fs.ReadFile(fsys, migrate.JournalFile)
	if err != nil {
		return nil, err
	}
	j, err := migrate.ParseJournal(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: resolve any merge conflict in it first, keeping the entries of both branches", migrate.JournalFile, err)
	}
	entries := make([]Entry, len(j.Entries))
	for i, je := range j.Entries {
		e := Entry{Migration: migrate.Migration{JournalEntry: je}}
		e.SQL, _ = fs.ReadFile(fsys, e.SQLPath())
		if sd, err := fs.ReadFile(fsys, e.SnapshotPath()); err == nil {
			e.Snapshot, _ = ParseSnapshot(sd)
		}
		entries[i] = e
	}
	broken := -1
	seen := map[string]bool{}
	for i := range entries {
		e := &entries[i]
		ok := e.Snapshot != nil && !seen[e.SnapshotPath()]
		switch {
		case !ok:
		case i == 0:
			ok = e.Snapshot.PrevID == ZeroID
		default:
			ok = entries[i-1].Snapshot != nil && e.Snapshot.PrevID == entries[i-1].Snapshot.ID
		}
		if !ok {
			broken = i
			break
		}
		seen[e.SnapshotPath()] = true
	}
	if broken < 0 {
		return nil, ErrNoFork
	}
	if broken == 0 {
		return nil, fmt.Errorf("%s: the first migration's snapshot is missing or does not start the chain; nothing to re-chain onto", entries[0].SnapshotPath())
	}
	base := entries[broken-1]
	if s := base.Snapshot; s.DrizzleKit || snapshotID(s.PrevID, Strip(s.Model)) != s.ID {
		return nil, fmt.Errorf("%s: its content does not match its id %q: it was edited, or a merge kept the other branch's version; restore the version that belongs to %s, then run again",
			base.SnapshotPath(), s.ID, base.Tag)
	}
	f := &Fork{Kept: &Folder{Journal: migrate.Journal{Version: j.Version, Dialect: j.Dialect}, Entries: slices.Clone(entries[:broken])}}
	f.Kept.Journal.Entries = slices.Clone(j.Entries[:broken])
	for i := range f.Kept.Entries {
		f.Kept.Entries[i].Idx = i
	}
	kept := map[string]bool{}
	for _, e := range f.Kept.Entries {
		kept[e.SQLPath()], kept[e.SnapshotPath()] = true, true
	}
	for _, e := range entries[broken:] {
		f.Dropped = append(f.Dropped, e.JournalEntry)
		for _, p := range []string{e.SQLPath(), e.SnapshotPath()} {
			if _, err := fs.Stat(fsys, p); err == nil && !kept[p] && !slices.Contains(f.Files, p) {
				f.Files = append(f.Files, p)
			}
		}
	}
	return f, nil
}
