-- CreateTable
CREATE TABLE "simulated_cluster_states" (
    "name" TEXT NOT NULL,
    "state" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "simulated_cluster_states_pkey" PRIMARY KEY ("name")
);

CREATE TABLE "simulated_backups" (
    "name" TEXT NOT NULL,
    "source_cluster" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "content" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "simulated_backups_pkey" PRIMARY KEY ("name")
);
