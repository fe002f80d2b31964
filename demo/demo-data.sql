-- Demo data for local development (npm start). Idempotent: safe to apply on every start.
-- The seed document's app and user: uaa-id-370 is a space developer of the app's space.
INSERT OR IGNORE INTO organizations (guid, name, status, created_at, updated_at)
  VALUES ('7b1b6b0e-2d61-4e4e-9d0a-2f5b0e1c1a01', 'demo-org', 'active', 1442000000, 1442000000);
INSERT OR IGNORE INTO spaces (guid, name, organization_guid, created_at, updated_at)
  VALUES ('5c4b1a0e-3f72-4a8b-8d1e-6a2c9e0b7d02', 'demo-space', '7b1b6b0e-2d61-4e4e-9d0a-2f5b0e1c1a01', 1442000000, 1442000000);
INSERT OR IGNORE INTO apps (guid, name, space_guid, lifecycle_type, created_at, updated_at)
  VALUES ('guid-be7aaa08-ee37-43e2-bd01-0233d74eb8cd', 'demo-app', '5c4b1a0e-3f72-4a8b-8d1e-6a2c9e0b7d02', 'buildpack', 1442000000, 1442000000);
INSERT OR IGNORE INTO apps (guid, name, space_guid, lifecycle_type, created_at, updated_at)
  VALUES ('0e5d1c2b-9a8f-4e7d-b6c5-a4b3c2d1e0f3', 'demo-docker-app', '5c4b1a0e-3f72-4a8b-8d1e-6a2c9e0b7d02', 'docker', 1442000000, 1442000000);
INSERT OR IGNORE INTO users (guid, created_at) VALUES ('uaa-id-370', 1442000000);
INSERT OR IGNORE INTO roles (guid, type, user_guid, organization_guid, space_guid, created_at, updated_at)
  VALUES ('2a9f8e7d-6c5b-4a39-8281-7f6e5d4c3b04', 'organization_user', 'uaa-id-370', '7b1b6b0e-2d61-4e4e-9d0a-2f5b0e1c1a01', NULL, 1442000000, 1442000000);
INSERT OR IGNORE INTO roles (guid, type, user_guid, organization_guid, space_guid, created_at, updated_at)
  VALUES ('9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b505', 'space_developer', 'uaa-id-370', NULL, '5c4b1a0e-3f72-4a8b-8d1e-6a2c9e0b7d02', 1442000000, 1442000000);
