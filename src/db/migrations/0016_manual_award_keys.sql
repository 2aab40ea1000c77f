-- Manual gamification awards get a key namespace of their own (docs/gamification.md): a manual
-- key is stored as 'manual:<key>', so it can never take the key of a trigger (eod:{id},
-- load_delivered:{id}, ...). Manual awards made before are moved into the namespace, which
-- frees any trigger key they had taken. Trigger keys never start with 'manual:'.
UPDATE gamification_events SET idempotency_key = 'manual:' || idempotency_key
    WHERE awarded_by IS NOT NULL AND idempotency_key NOT LIKE 'manual:%';
