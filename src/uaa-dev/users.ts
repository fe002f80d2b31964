// The development UAA's users: the demo data's user and an admin, with documented development
// passwords. They live here, not in D1, because Cloud Controller's database never holds credentials
// (UAA owns them), and D1's schema ships to production while this file is served only in development.

export interface DevelopmentUser {
  /** UAA's user id: the `user_id` claim, and the guid CC's roles name. */
  id: string;
  userName: string;
  password: string;
  email: string;
  /** What UAA would grant the cf client for this user's groups. */
  scopes: readonly string[];
}

const USER_SCOPES = ["openid", "uaa.user", "cloud_controller.read", "cloud_controller.write"];

const DEVELOPMENT_USERS: readonly DevelopmentUser[] = [
  {
    // demo/demo-data.sql: space developer in demo-org / demo-space.
    id: "uaa-id-370",
    userName: "demo-developer",
    password: "demo-password",
    email: "demo-developer@example.com",
    scopes: USER_SCOPES,
  },
  {
    id: "admin",
    userName: "admin",
    password: "admin-password",
    email: "admin@example.com",
    scopes: [...USER_SCOPES, "cloud_controller.admin"],
  },
];

export const findUserByName = (userName: string) => DEVELOPMENT_USERS.find((u) => u.userName === userName);

export const findUserById = (id: string) => DEVELOPMENT_USERS.find((u) => u.id === id);
