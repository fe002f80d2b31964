CREATE TABLE `audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guid` text NOT NULL,
	`type` text NOT NULL,
	`actor_guid` text NOT NULL,
	`actor_type` text NOT NULL,
	`actor_name` text NOT NULL,
	`target_guid` text NOT NULL,
	`target_type` text NOT NULL,
	`target_name` text NOT NULL,
	`space_guid` text,
	`organization_guid` text,
	`data` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_events_guid_unique` ON `audit_events` (`guid`);--> statement-breakpoint
CREATE INDEX `audit_events_created_at` ON `audit_events` (`created_at`);--> statement-breakpoint
CREATE INDEX `audit_events_target` ON `audit_events` (`target_guid`);--> statement-breakpoint
CREATE INDEX `audit_events_space` ON `audit_events` (`space_guid`);--> statement-breakpoint
CREATE INDEX `audit_events_organization` ON `audit_events` (`organization_guid`);