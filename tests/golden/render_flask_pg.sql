CREATE TABLE "user" (
	"id" integer NOT NULL,
	"username" varchar(64) NOT NULL,
	"email" varchar(120) NOT NULL,
	"password_hash" varchar(256),
	PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "ix_user_email" ON "user" ("email");
CREATE UNIQUE INDEX "ix_user_username" ON "user" ("username");
CREATE TABLE "post" (
	"id" integer NOT NULL,
	"body" varchar(140) NOT NULL,
	"timestamp" timestamp without time zone NOT NULL,
	"user_id" integer NOT NULL,
	PRIMARY KEY ("id"),
	FOREIGN KEY ("user_id") REFERENCES "user" ("id")
);
CREATE INDEX "ix_post_timestamp" ON "post" ("timestamp");
CREATE INDEX "ix_post_user_id" ON "post" ("user_id");
