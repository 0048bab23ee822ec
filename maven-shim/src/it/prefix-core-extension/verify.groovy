// Every liberty: goal went to the plugin that has it (src/it/prefix-all-goals.groovy).
return evaluate(new File(itSource, 'prefix-all-goals.groovy'))
