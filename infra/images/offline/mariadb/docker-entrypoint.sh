#!/bin/sh
# A small twin of the official mariadb image's entrypoint, for what labs use:
# - `docker run IMAGE --flag` means `mariadbd --flag`; any other command runs as given (as root);
# - on the first start (empty /var/lib/mysql): make the system tables, start a private server without networking,
#   set the root password (MARIADB_ROOT_PASSWORD, or MARIADB_ALLOW_EMPTY_ROOT_PASSWORD / _RANDOM_ROOT_PASSWORD),
#   create MARIADB_DATABASE and MARIADB_USER / MARIADB_PASSWORD, run /docker-entrypoint-initdb.d/*.sql and *.sh in
#   name order, stop the private server;
# - then exec mariadbd in the foreground as the mysql user, listening on 0.0.0.0:3306.
# Like the official image, the private init server also logs "ready for connections" (on a socket only): wait for
# a query over TCP, not for that line, to know the server is ready for clients.
set -e

if [ "${1#-}" != "$1" ]; then
    set -- mariadbd "$@"
fi
if [ "$1" != "mariadbd" ] && [ "$1" != "mysqld" ]; then
    exec "$@"
fi

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock
mkdir -p /run/mysqld "$DATADIR"
chown mysql:mysql /run/mysqld "$DATADIR"

log() { echo "$(date '+%Y-%m-%d %H:%M:%S') [Entrypoint]: $*"; }

if [ ! -d "$DATADIR/mysql" ]; then
    if [ -z "$MARIADB_ROOT_PASSWORD" ] && [ -z "$MARIADB_ALLOW_EMPTY_ROOT_PASSWORD" ] && [ -z "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
        log "Database is uninitialized and password option is not specified"
        log "You need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD"
        exit 1
    fi
    if [ -n "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
        MARIADB_ROOT_PASSWORD=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
        log "GENERATED ROOT PASSWORD: $MARIADB_ROOT_PASSWORD"
    fi
    log "Initializing database files"
    mariadb-install-db --user=mysql --datadir="$DATADIR" --auth-root-authentication-method=normal \
        --skip-test-db --skip-name-resolve >/dev/null
    log "Starting temporary server"
    "$@" --user=mysql --skip-networking --socket="$SOCKET" --datadir="$DATADIR" &
    pid=$!
    i=0
    until mariadb --protocol=socket --socket="$SOCKET" -uroot -e "SELECT 1" >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
            log "Unable to start the temporary server"
            exit 1
        fi
        sleep 0.1
    done
    log "Temporary server started"
    sq() { printf "%s" "$1" | sed "s/'/''/g"; }
    {
        echo "SET @@SESSION.SQL_LOG_BIN=0;"
        # As the official image: root only as root@localhost (socket) and root@'%' (TCP), both with the password.
        echo "DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1';"
        echo "EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\\'', @@hostname, '\\'');"
        echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$(sq "$MARIADB_ROOT_PASSWORD")';"
        echo "CREATE USER 'root'@'%' IDENTIFIED BY '$(sq "$MARIADB_ROOT_PASSWORD")';"
        echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
        if [ -n "$MARIADB_DATABASE" ]; then
            echo "CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;"
        fi
        if [ -n "$MARIADB_USER" ] && [ -n "$MARIADB_PASSWORD" ]; then
            echo "CREATE USER '$(sq "$MARIADB_USER")'@'%' IDENTIFIED BY '$(sq "$MARIADB_PASSWORD")';"
            if [ -n "$MARIADB_DATABASE" ]; then
                echo "GRANT ALL ON \`$MARIADB_DATABASE\`.* TO '$(sq "$MARIADB_USER")'@'%';"
            fi
        fi
        echo "FLUSH PRIVILEGES;"
    } | mariadb --protocol=socket --socket="$SOCKET" -uroot
    ROOT="mariadb --protocol=socket --socket=$SOCKET -uroot"
    if [ -n "$MARIADB_ROOT_PASSWORD" ]; then ROOT="$ROOT -p$MARIADB_ROOT_PASSWORD"; fi
    for f in /docker-entrypoint-initdb.d/*; do
        [ -e "$f" ] || continue
        case "$f" in
            *.sh) log "running $f"; . "$f" ;;
            *.sql) log "running $f"; if [ -n "$MARIADB_DATABASE" ]; then $ROOT "$MARIADB_DATABASE" < "$f"; else $ROOT < "$f"; fi ;;
            *.sql.gz) log "running $f"; gunzip -c "$f" | $ROOT ;;
            *) log "ignoring $f" ;;
        esac
    done
    log "Stopping temporary server"
    kill "$pid"
    wait "$pid" || true
    log "Temporary server stopped"
    log "MariaDB init process done. Ready for start up."
fi

exec "$@" --user=mysql --datadir="$DATADIR"
