-- Whether a site's WAF refuses (block mode) or reports (detect mode) a request body it could not
-- parse or that is over the waf.limits.* settings. Existing sites keep the strict default.
ALTER TABLE waf_policies ADD COLUMN strict_bodies BOOLEAN NOT NULL DEFAULT TRUE;
