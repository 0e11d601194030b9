#!/usr/bin/env sh
# Writes the secrets docker-compose.yml mounts, with fresh random values, into ./secrets (gitignored). Existing
# files are kept, so running it again changes nothing; delete a file to replace that secret.
# The files are readable by the containers' users (postgres, redis, node): the directory itself is private (0700).
set -eu

cd "$(dirname "$0")/.."
umask 077
mkdir -p secrets
chmod 700 secrets

random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

write() { # write <name> <content>
  if [ -e "secrets/$1" ]; then
    echo "secrets/$1: kept"
    return 0
  fi
  printf '%s\n' "$2" >"secrets/$1"
  chmod 644 "secrets/$1"
  echo "secrets/$1: written"
}

if [ -e secrets/postgres_password ]; then postgres_password=$(cat secrets/postgres_password); else postgres_password=$(random_hex 24); fi
if [ -e secrets/redis_conf ]; then redis_password=$(sed -n 's/^requirepass //p' secrets/redis_conf); else redis_password=$(random_hex 24); fi

write postgres_password "$postgres_password"
write database_url "postgres://muskel:${postgres_password}@postgres:5432/muskel"
write redis_conf "requirepass ${redis_password}"
write redis_url "redis://:${redis_password}@redis:6379"
write auth_token_secret "$(random_hex 32)"
write metrics_token "$(random_hex 32)"
write personal_data_kek "$(random_hex 32)"
