CREATE TABLE `annotations` (
	`resource_guid` text NOT NULL,
	`key` text NOT NULL,
	`value` text,
	PRIMARY KEY(`resource_guid`, `key`)
);
--> statement-breakpoint
CREATE TABLE `apps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guid` text NOT NULL,
	`name` text NOT NULL,
	`space_guid` text NOT NULL,
	`lifecycle_type` text DEFAULT 'buildpack' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`space_guid`) REFERENCES `spaces`(`guid`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `apps_guid_unique` ON `apps` (`guid`);--> statement-breakpoint
CREATE UNIQUE INDEX `apps_space_name` ON `apps` (`space_guid`,`name`);--> statement-breakpoint
CREATE TABLE `blob_deletions` (
	`key` text PRIMARY KEY NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `cached_resources` (
	`sha1` text PRIMARY KEY NOT NULL,
	`size` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `droplets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guid` text NOT NULL,
	`state` text NOT NULL,
	`package_guid` text,
	`app_guid` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`package_guid`) REFERENCES `packages`(`guid`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`app_guid`) REFERENCES `apps`(`guid`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `droplets_guid_unique` ON `droplets` (`guid`);--> statement-breakpoint
CREATE INDEX `droplets_package_id` ON `droplets` (`package_guid`,`id`);--> statement-breakpoint
CREATE INDEX `droplets_app` ON `droplets` (`app_guid`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guid` text NOT NULL,
	`operation` text NOT NULL,
	`state` text NOT NULL,
	`resource_type` text NOT NULL,
	`resource_guid` text NOT NULL,
	`user_guid` text NOT NULL,
	`errors` text NOT NULL,
	`warnings` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_guid_unique` ON `jobs` (`guid`);--> statement-breakpoint
CREATE INDEX `jobs_state_updated_at` ON `jobs` (`state`,`updated_at`);--> statement-breakpoint
CREATE TABLE `labels` (
	`resource_guid` text NOT NULL,
	`key` text NOT NULL,
	`value` text,
	PRIMARY KEY(`resource_guid`, `key`)
);
--> statement-breakpoint
CREATE INDEX `labels_key_value` ON `labels` (`key`,`value`);--> statement-breakpoint
CREATE TABLE `organizations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guid` text NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `organizations_guid_unique` ON `organizations` (`guid`);--> statement-breakpoint
CREATE UNIQUE INDEX `organizations_name_unique` ON `organizations` (`name`);--> statement-breakpoint
CREATE TABLE `packages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guid` text NOT NULL,
	`type` text NOT NULL,
	`state` text NOT NULL,
	`app_guid` text NOT NULL,
	`docker_image` text,
	`docker_username` text,
	`docker_password` text,
	`sha1` text,
	`sha256` text,
	`error` text,
	`bits_size` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`app_guid`) REFERENCES `apps`(`guid`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `packages_guid_unique` ON `packages` (`guid`);--> statement-breakpoint
CREATE INDEX `packages_app_id` ON `packages` (`app_guid`,`id`);--> statement-breakpoint
CREATE INDEX `packages_app_created_at` ON `packages` (`app_guid`,`created_at`);--> statement-breakpoint
CREATE INDEX `packages_state_updated_at` ON `packages` (`state`,`updated_at`);--> statement-breakpoint
CREATE INDEX `packages_created_at` ON `packages` (`created_at`);--> statement-breakpoint
CREATE INDEX `packages_updated_at` ON `packages` (`updated_at`);--> statement-breakpoint
CREATE TABLE `roles` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guid` text NOT NULL,
	`type` text NOT NULL,
	`user_guid` text NOT NULL,
	`organization_guid` text,
	`space_guid` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_guid`) REFERENCES `users`(`guid`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`organization_guid`) REFERENCES `organizations`(`guid`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`space_guid`) REFERENCES `spaces`(`guid`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `roles_guid_unique` ON `roles` (`guid`);--> statement-breakpoint
CREATE UNIQUE INDEX `roles_user_space_type` ON `roles` (`user_guid`,`space_guid`,`type`) WHERE "roles"."space_guid" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `roles_user_organization_type` ON `roles` (`user_guid`,`organization_guid`,`type`) WHERE "roles"."organization_guid" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `roles_space` ON `roles` (`space_guid`);--> statement-breakpoint
CREATE INDEX `roles_organization` ON `roles` (`organization_guid`);--> statement-breakpoint
CREATE TABLE `spaces` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guid` text NOT NULL,
	`name` text NOT NULL,
	`organization_guid` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`organization_guid`) REFERENCES `organizations`(`guid`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `spaces_guid_unique` ON `spaces` (`guid`);--> statement-breakpoint
CREATE UNIQUE INDEX `spaces_organization_name` ON `spaces` (`organization_guid`,`name`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guid` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_guid_unique` ON `users` (`guid`);