-- Searches that are almost never repeated (text × age × page × page size ≈ 67 000
-- combinations, each thread seeded differently), so nearly every request misses the cache.
local base = os.getenv("BASE") or "/api/v1/programs"
local texts = {
  "", "%D1%88%D0%B0%D1%85%D0%BC%D0%B0%D1%82%D1%8B", "%D1%80%D0%BE%D0%B1%D0%BE%D1%82",
  "%D1%82%D0%B0%D0%BD%D0%B5%D1%86", "%D1%84%D1%83%D1%82%D0%B1%D0%BE%D0%BB",
  "%D1%80%D0%B8%D1%81%D0%BE%D0%B2%D0%B0%D0%BD%D0%B8%D0%B5", "%D1%8D%D0%BA%D0%BE%D0%BB%D0%BE%D0%B3%D0%B8%D1%8F",
  "%D0%B0%D0%BD%D0%B3%D0%BB%D0%B8%D0%B9%D1%81%D0%BA%D0%B8%D0%B9", "%D0%B2%D0%BE%D0%BA%D0%B0%D0%BB",
  "%D0%BA%D0%BB%D1%83%D0%B1",
}
local counter = 1
setup = function(thread)
  thread:set("id", counter)
  counter = counter + 1
end
init = function(args)
  math.randomseed(os.time() * 100 + (id or 0))
end
request = function()
  local q = texts[math.random(#texts)]
  local path = string.format("%s?q=%s&age=%d&page=%d&per_page=%d", base, q,
    math.random(3, 18), math.random(1, 20), math.random(10, 30))
  return wrk.format("GET", path)
end
