-- Why a row was given up on, beside last_error's text: 'rejected' (the receiving server
-- refused it for good, a 5xx reply: never retried), 'invalid' (it could not be made into a
-- message), 'exhausted' (every attempt failed). NULL while the row is pending or sent.
ALTER TABLE outbox ADD COLUMN failure TEXT
    CHECK (failure IS NULL OR failure IN ('rejected', 'invalid', 'exhausted'));
