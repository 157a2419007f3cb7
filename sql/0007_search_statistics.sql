-- ANALYZE keeps the frequencies of up to 10 x the statistics target most common words of the
-- search column; the idea list reads them to tell a rare search from a common one
-- (portal.ideas.listing). At the default target the least common word listed is still in about
-- 1% of ideas; at 1000 it is in about 0.1%, so "rare" means hundreds of ideas, not thousands.
ALTER TABLE ideas ALTER COLUMN search SET STATISTICS 1000;
