-- Delivery records only suppress Slack's retries for a day: losing them in a crash costs at most
-- a repeated answer, while writing them to the WAL made every slash command wait for a flush.
ALTER TABLE "slack_deliveries" SET UNLOGGED;
