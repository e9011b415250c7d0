"""Load, rate limits and capacity.

Two engines, for two jobs:

- Locust, always in processes of its own (it patches the interpreter with
  gevent when imported), for load profiles: a constant rate or steps of
  rising rates, the default request or a user's locustfile, alone or as a
  master with workers. ``faultdrill.load.run`` starts it; the modules under
  ``faultdrill.load.inlocust`` run inside those processes only, and nothing
  else here imports ``locust``.
- An open-model schedule of our own (asyncio) for measuring a rate limiter:
  a closed-loop tool slows down when the limiter answers slowly and would
  measure its own pace instead of the limiter's.

    limit       the rate limit an experiment declares
    leaky       the leaky-bucket rule: what a limiter should admit
    keys        which client identity each request carries
    rawhttp     one HTTP/1.1 request per connection, from a chosen address
    openloop    requests on a fixed schedule, and volleys sent at once
    ratemeasure figures and pass/fail from the answers
    legit       legitimate traffic from other keys, judged against an SLO
    validate    the whole rate-limit validation
    profile     constant and stepped load profiles
    plan        what the launcher hands to the Locust processes, and back
    recorder    per-slot figures of requests, merged from Locust workers
    steps       per-step figures from those slots
    launch      starting and stopping Locust processes
    golden      golden signals of a load run
    run         a load run from start to result
    capacity    the highest step at which the SLOs still hold
"""
