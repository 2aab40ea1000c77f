-- How each session was opened ('password' or 'code'): PUT /me/password asks for the current
-- password only of a session opened with it (DOMAIN.md §1 "Granting roles").
ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'password';

-- Login-code verifications per account per clock hour, counted in the same statement that
-- spends them, so no number of client addresses buys more guesses (docs/decisions.md).
CREATE TABLE login_code_budget (
    user_id BIGINT NOT NULL PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    hour    BIGINT NOT NULL,
    tries   BIGINT NOT NULL
);
