-- API keys and the users they belong to (a real deployment would keep
-- these in a shared dict or a database).
return {
  ["secret-key-1"] = "alice",
  ["secret-key-2"] = "bob",
}
