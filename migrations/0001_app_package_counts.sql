CREATE TABLE `app_package_counts` (
	`app_guid` text PRIMARY KEY NOT NULL,
	`total` integer NOT NULL
);
