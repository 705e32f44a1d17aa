CREATE TABLE "users" (
	"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	"username" VARCHAR(50) NOT NULL,
	"email" VARCHAR(100) NOT NULL,
	"password" VARCHAR(255) NOT NULL,
	"phone" VARCHAR(20),
	CONSTRAINT "uq_users_username" UNIQUE ("username"),
	CONSTRAINT "uq_users_email" UNIQUE ("email")
);
CREATE TABLE "profiles" (
	"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	"name" VARCHAR(50),
	"surname" VARCHAR(50),
	"age" INTEGER,
	"gender" VARCHAR(9) NOT NULL DEFAULT 'UNDEFINED',
	"interests" JSON,
	"contacts" JSON,
	"user_id" INTEGER NOT NULL,
	CONSTRAINT "fk_profiles_user_id_users" FOREIGN KEY ("user_id") REFERENCES "users" ("id"),
	CONSTRAINT "uq_profiles_user_id" UNIQUE ("user_id"),
	CONSTRAINT "ck_profiles_age" CHECK (age IS NULL OR age >= 0),
	CHECK ("gender" IN ('MALE', 'FEMALE', 'UNDEFINED'))
);
CREATE TABLE "posts" (
	"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	"title" VARCHAR(100) NOT NULL,
	"content" TEXT,
	"created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	"user_id" INTEGER NOT NULL,
	CONSTRAINT "fk_posts_user_id_users" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX "ix_posts_user_id" ON "posts" ("user_id");
CREATE TABLE "comments" (
	"id" INTEGER NOT NULL CONSTRAINT "pk_comments" PRIMARY KEY AUTOINCREMENT,
	"content" TEXT NOT NULL,
	"post_id" INTEGER NOT NULL,
	CONSTRAINT "fk_comments_post_id_posts" FOREIGN KEY ("post_id") REFERENCES "posts" ("id") ON DELETE CASCADE
);
