"""The part of faultdrill that runs inside Locust processes.

These modules import ``locust``, which patches the interpreter with gevent
at import; they are imported by the locustfile faultdrill generates for each
run, in processes started by ``faultdrill.load.launch``, and never by the
runner itself.

    pacing      each user's fixed pace, and the intended time of each request
    shape       the profile's steps as a Locust load shape
    setup       wiring it together from the plan, with
                faultdrill.load.recorder for the figures
"""
