-- Keep app_package_counts in step with packages inside the statement that changes them, so no write
-- path can forget it; a package never changes app, so inserts and deletes are all there is to follow.
CREATE TRIGGER `packages_count_insert` AFTER INSERT ON `packages` BEGIN
  INSERT INTO `app_package_counts` (`app_guid`, `total`) VALUES (NEW.`app_guid`, 1)
    ON CONFLICT (`app_guid`) DO UPDATE SET `total` = `total` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `packages_count_delete` AFTER DELETE ON `packages` BEGIN
  UPDATE `app_package_counts` SET `total` = `total` - 1 WHERE `app_guid` = OLD.`app_guid`;
END;
--> statement-breakpoint
CREATE TRIGGER `apps_count_delete` AFTER DELETE ON `apps` BEGIN
  DELETE FROM `app_package_counts` WHERE `app_guid` = OLD.`guid`;
END;
--> statement-breakpoint
INSERT INTO `app_package_counts` (`app_guid`, `total`)
  SELECT `app_guid`, count(*) FROM `packages` WHERE true GROUP BY `app_guid`
  ON CONFLICT (`app_guid`) DO UPDATE SET `total` = excluded.`total`;
