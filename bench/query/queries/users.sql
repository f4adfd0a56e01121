-- The queries of the hand-written pgx benchmarks, as SQL files: their
-- generated methods are measured against the same statements by hand.

-- name: GetUser :one
SELECT id, email, name, created_at, score FROM users WHERE id = @id;

-- name: UsersAfter :many
SELECT id, email, name, created_at, score FROM users WHERE id > @after ORDER BY id LIMIT 100;

-- name: CopyUsers :copyfrom
INSERT INTO users (email, name, score) VALUES (@email, @name, @score);
