print("tlsdump")
