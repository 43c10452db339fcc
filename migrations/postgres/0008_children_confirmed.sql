-- A child's data, once an authorized organization has checked it against documents, stays
-- as checked: the parent can no longer edit it. Set by the in-person confirmation of the
-- child's certificate, in its transaction; the children's rules read it without knowing
-- about certificates.
ALTER TABLE children ADD COLUMN data_confirmed_at TEXT;

UPDATE children SET data_confirmed_at = (
    SELECT c.confirmed_at FROM certificates c
    WHERE c.tenant_id = children.tenant_id AND c.child_id = children.id
      AND c.status = 'confirmed'
);
