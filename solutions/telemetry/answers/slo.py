# Exercise telemetry.slo: the orders service's availability objective, and an alert on its error budget.
#
# SLO: 99 % of POST /orders answered by the orders service succeed (status below 500) -> error budget 1 %.
# In this lab one "hour" lasts one minute. Page when the budget burns more than 10 times too fast over BOTH windows:
# the long one (1m) says it is serious, the short one (10s) says it is still happening (and resolves fast).
groups:
  - name: slo
    rules:
      - record: orders:errors:ratio_rate1m
        expr: |
          sum(rate(http_request_duration_seconds_count{job="orders",route="/orders",code=~"5.."}[1m]))
            / sum(rate(http_request_duration_seconds_count{job="orders",route="/orders"}[1m]))
      - record: orders:errors:ratio_rate10s
        expr: |
          sum(rate(http_request_duration_seconds_count{job="orders",route="/orders",code=~"5.."}[10s]))
            / sum(rate(http_request_duration_seconds_count{job="orders",route="/orders"}[10s]))
      - alert: OrdersErrorBudgetBurn
        expr: orders:errors:ratio_rate1m > 10 * 0.01 and orders:errors:ratio_rate10s > 10 * 0.01
        labels:
          severity: page
        annotations:
          summary: "orders burns its error budget {{ $value | humanizePercentage }} errors, over 10x the budget rate"
