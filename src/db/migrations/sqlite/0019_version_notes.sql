-- Nothing to change on SQLite: its one serving process hears every data version bump of its own
-- connections through their update hook (db/sqlite.c) at commit (docs/cache.md). This file
-- keeps the two engines' migration numbers in step.
SELECT 1;
