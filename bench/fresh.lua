-- Every request carries a query parameter never sent before, so no answer can come from a
-- memory of an identical request: the bench measures the path a real reader takes.
local counter = 0
math.randomseed(os.time())
local salt = math.random(1, 1000000000)

request = function()
  counter = counter + 1
  local joiner = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. joiner .. "fresh=" .. salt .. "-" .. counter)
end
