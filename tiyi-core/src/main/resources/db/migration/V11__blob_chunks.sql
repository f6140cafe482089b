-- Blob content in chunks, so that storing, serving or fetching a release artifact of tens of MiB
-- never needs it whole in memory: a reader reads one chunk at a time. blobs keeps one row per
-- blob (its size and when it arrived); its data column is empty for blobs stored in chunks and
-- still holds the whole content of blobs stored before this migration, which are read from there.
CREATE TABLE blob_chunks (
  sha256 VARCHAR NOT NULL,
  idx INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (sha256, idx)
);
