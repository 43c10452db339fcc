-- Typical catalog searches, repeated: after the first round every one is a cache hit.
-- BASE selects the face: /api/v1/programs (default) or /programs (HTML).
local base = os.getenv("BASE") or "/api/v1/programs"
local queries = {
  "",
  "?q=%D1%88%D0%B0%D1%85%D0%BC%D0%B0%D1%82%D1%8B",                    -- шахматы
  "?direction=sport&age=10",
  "?municipality=smolensk&financing=free",
  "?q=%D1%80%D0%BE%D0%B1%D0%BE%D1%82&financing=certificate",          -- робот
  "?open=1&age=7",
  "?direction=art&level=start&sort=newest",
  "?profile=chess&municipality=vyazemsky",
}
local i = 0
request = function()
  i = i % #queries + 1
  return wrk.format("GET", base .. queries[i])
end
