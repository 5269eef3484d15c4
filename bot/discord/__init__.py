"""The Discord frontend (discord.py 2.x): the only package allowed to import discord."""
