-- up
-- Detected table comment changed on 'account'
-- (SQLite keeps no comments)

-- Detected column comment changed on 'account.name'
-- (SQLite keeps no comments)

-- Detected changed enum type 'mood' from ['HAPPY', 'SAD'] to ['HAPPY', 'CALM', 'SAD']
-- (SQLite has no enum types: a CHECK on each column stands in for one)
-- down
-- Detected changed enum type 'mood' from ['HAPPY', 'CALM', 'SAD'] to ['HAPPY', 'SAD']
-- (SQLite has no enum types: a CHECK on each column stands in for one)

-- Detected column comment changed on 'account.name'
-- (SQLite keeps no comments)

-- Detected table comment changed on 'account'
-- (SQLite keeps no comments)
