// Package schema declares the table of the typed-query benchmark: one
// users table with an identity key, a unique text column, a default and an
// integer, the shape of an ordinary application table.
package schema

//go:generate go tool mizzle generate --name init

import "time"

// User is a user of the benchmark's application.
//
//mizzle:table users
type User struct {
	ID        int64     `db:"id,pk,identity"`
	Email     string    `db:"email,unique"`
	Name      string    `db:"name"`
	CreatedAt time.Time `db:"created_at,default:now()"`
	Score     int32     `db:"score"`
	Posts     []Post    `rel:"Post.UserID"` // a relation, loaded by With
}
