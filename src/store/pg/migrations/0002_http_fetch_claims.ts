/**
 * 0002: who is fetching a URL right now, so that concurrent misses in several workers make one
 * upstream request (the others wait for its answer in http_cache). A claim expires by itself: a
 * worker killed mid-fetch holds nobody up longer than `until`.
 */
export const sql = /* sql */ `
CREATE TABLE http_fetch_claims (
  key text PRIMARY KEY,
  until timestamptz NOT NULL
);
`;
