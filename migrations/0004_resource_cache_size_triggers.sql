-- Keep resource_cache_size in step with cached_resources inside the statement that changes them, so no
-- write path can forget it; a row's size never changes, so inserts and deletes are all there is.
CREATE TRIGGER `cached_resources_size_insert` AFTER INSERT ON `cached_resources` BEGIN
  INSERT INTO `resource_cache_size` (`id`, `bytes`) VALUES (1, NEW.`size`)
    ON CONFLICT (`id`) DO UPDATE SET `bytes` = `bytes` + NEW.`size`;
END;
--> statement-breakpoint
CREATE TRIGGER `cached_resources_size_delete` AFTER DELETE ON `cached_resources` BEGIN
  UPDATE `resource_cache_size` SET `bytes` = `bytes` - OLD.`size` WHERE `id` = 1;
END;
--> statement-breakpoint
-- Entries cached before last use was tracked count as used when they were cached.
UPDATE `cached_resources` SET `last_used_at` = `created_at`;
--> statement-breakpoint
INSERT INTO `resource_cache_size` (`id`, `bytes`) SELECT 1, coalesce(sum(`size`), 0) FROM `cached_resources` WHERE true
  ON CONFLICT (`id`) DO UPDATE SET `bytes` = excluded.`bytes`;
