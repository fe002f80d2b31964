CREATE TABLE `resource_cache_size` (
	`id` integer PRIMARY KEY NOT NULL,
	`bytes` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `cached_resources` ADD `last_used_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `cached_resources_last_used_at` ON `cached_resources` (`last_used_at`,`sha1`);--> statement-breakpoint
ALTER TABLE `packages` ADD `multipart_upload_id` text;