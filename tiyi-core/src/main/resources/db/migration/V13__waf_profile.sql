-- What Tiyi adds around a site's rule set: 'standard' (the CRS with a protocol policy for modern
-- traffic, the default for sites whose policy is set from now on) or 'crs' (the rule set as it
-- ships). Policies stored before the profile existed ran the CRS as it ships, and keep doing so.
ALTER TABLE waf_policies ADD COLUMN profile TEXT NOT NULL DEFAULT 'crs';
