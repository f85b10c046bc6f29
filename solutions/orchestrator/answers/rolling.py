def stack(image: str) -> str:
    """The shop's stack, rolled out one health-checked task at a time, each new task up before an old one stops."""
    return f"""
version: "3.8"
services:
  web:
    image: {image}
    networks: [edge]
    healthcheck:
      test: ["CMD", "python3", "/app/health.py"]
      interval: 1s
      timeout: 3s
      retries: 3
      start_period: 2s
    stop_grace_period: 5s
    deploy:
      replicas: 3
      endpoint_mode: dnsrr
      resources:
        limits: {{cpus: "0.25", memory: 64M}}
      restart_policy: {{condition: any, delay: 1s}}
      update_config:
        order: start-first
        parallelism: 1
        delay: 0s
        monitor: 1s
      labels:
        traefik.enable: "true"
        traefik.http.routers.shop.rule: PathPrefix(`/`)
        traefik.http.services.shop.loadbalancer.server.port: "8000"
networks:
  edge:
    external: true
"""
