"""The web app for caseworkers, lawyers and communications staff (`brevgen serve`).

A thin layer: pages parse forms, call generator.api (the same core the CLI calls) and render
Danish templates. See docs/web-operator.md for the module map.
"""
